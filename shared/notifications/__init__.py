"""Reaching members: the notifier (events -> inbox messages + sends), the sender (sends -> SMS
and e-mail) and their AWS adapters."""
