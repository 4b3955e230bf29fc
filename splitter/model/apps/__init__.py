"""Readers of the programs that deploy .NET code besides templates: CDK apps in Python and C#, serverless.yml."""
