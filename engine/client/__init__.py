"""The one client: S3 and Amazon Translate on aiobotocore, for AWS and for the local service alike.
Settings, retries, polling, job output and the pure job/resource state logic live here."""
