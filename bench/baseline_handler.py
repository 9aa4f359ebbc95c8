"""The cold-start baseline: a 'typical' Powertools handler module, for comparison only.

boto3 with a DynamoDB client, Logger, Tracer, Metrics, the HTTP resolver, the parser and
the idempotency utility — what a handler written from the Powertools examples imports.
"""

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.idempotency import (  # noqa: F401
    DynamoDBPersistenceLayer,
    idempotent,
)
from aws_lambda_powertools.utilities.parser import BaseModel, event_parser  # noqa: F401

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="baseline")
app = APIGatewayHttpResolver()
client = boto3.client("dynamodb", region_name="us-east-1")
