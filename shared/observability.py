"""Structured logging shared by the handlers (Powertools Logger, configured by env)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger()
