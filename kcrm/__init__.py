"""kcrm: a knowledge-based CRM."""

__version__ = "0.1.0"
