"""Theme palettes (Textual `Theme`s) and the structural .tcss sheets of the dashboard."""
