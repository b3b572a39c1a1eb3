"""The one client: S3 and Amazon Translate on aiobotocore, for AWS and for the local service alike.
Its settings model (settings.py, validated once), retries, polling, one concurrency limit, job
output and the pure job/resource state logic live here."""
