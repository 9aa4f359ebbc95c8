"""The points lottery's use cases, one module per concern (imported by name; this package
imports nothing, so each handler loads only what it uses):

- ``campaigns``: operators define campaigns and prize pools; the list and one campaign.
- ``draws``: members see the open campaigns with their odds in force, and draw.
- ``prizes``: what a draw's prize becomes (points, a coupon, a gift order, a red packet)
  and a won gift's delivery address.
- ``audit``: operators read every draw and the stats (observed vs published odds).
- ``views``: the JSON views, rendered from domain values.

Rules live in ``shared.domain.lottery``; storage in ``shared.dynamodb.lottery`` (campaigns,
audit reads) and ``shared.dynamodb.lottery_draws`` (a draw: one conditional transaction).
See docs/decisions.md "Points lottery" for the choices made.
"""
