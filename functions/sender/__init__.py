"""Sender: the ``sends`` queue (SQS) → SMS (SNS) and e-mail (SES v2), each send once.

A send whose quiet hours have not ended, or whose channel failed, stays on the queue (its
visibility set to the wait or to a growing backoff) and is reported as a batch item failure;
after the queue's last receive SQS moves it to the dead-letter queue.
"""
