"""The Textual dashboard, the command line and the headless runner: everything the user touches.

The UI never calls AWS: it runs engine pipelines in workers and renders their events."""
