"""What every other package stands on: settings, the database, its tables, roles, errors."""
