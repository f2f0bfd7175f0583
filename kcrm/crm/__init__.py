"""The CRM: customers, cases, interactions, CRM imports, segments and campaigns."""
