"""Scheduled jobs: ``registry`` names every job and is the one way to run one (a schedule or
``POST /v1/admin/jobs/{job}/runs``); ``runner`` is how they run (time budget, checkpoints)."""
