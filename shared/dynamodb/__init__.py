"""The only code that talks to DynamoDB: keys, pynamodb models, transactions, repositories."""
