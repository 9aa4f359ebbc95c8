"""Message catalogs, one module per area: ``EN`` and ``ZH_CN`` dicts of templates."""
