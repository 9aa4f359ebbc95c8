"""Operators' tooling, run from a workstation or CI with a stage's AWS credentials. No
function imports it (.importlinter), so nothing here reaches a Lambda package."""
