"""The Jobs screen's panes on small terminals: at 80×24 every sub-pipeline is in view at once."""

from __future__ import annotations

from dashboard_support import NARROW, SIZE, settle

from amts.tui.app import make_app
from amts.tui.widgets.job_pane import JobPane


def panes_in_view(app) -> list[JobPane]:
    container = app.screen.query_one("#jobs-panes")
    return [pane for pane in app.screen.query(JobPane) if container.region.contains_region(pane.region)]


async def test_every_pane_is_in_view_at_80x24_and_full_again_when_tall(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        panes = list(app.screen.query(JobPane))
        assert len(panes) == 6 and len(panes_in_view(app)) == 6
        assert all(pane.compact and pane.region.height == 2 for pane in panes)
        # Each pane still says which sub-pipeline it is and where it stands.
        first = panes[0].render().plain.splitlines()
        assert first[0].startswith(panes[0].pipeline) and "PENDING" in first[0]
        assert "waiting to start" in first[1]

        await pilot.resize_terminal(*SIZE)
        await settle(app, pilot)
        assert not any(pane.compact for pane in panes)
        assert all(pane.region.height == 7 for pane in panes)  # five lines and the border
        assert "stage" in panes[0].render().plain and len(panes_in_view(app)) == 6

        await pilot.resize_terminal(*NARROW)
        await settle(app, pilot)
        assert all(pane.compact for pane in panes) and len(panes_in_view(app)) == 6
