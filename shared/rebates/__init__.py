"""Year-end rebate campaigns (返利): campaigns, accrual, settlement, review, payout, views."""
