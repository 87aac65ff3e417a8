"""The cache in production: django-redis, with Redis down treated as a miss rather than an error.

``IGNORE_EXCEPTIONS`` makes every call answer as if the key were absent — except that ``add`` then answers
None, which allauth's rate limiter reads as "someone else holds the lock" and so refuses every login with a
429 while Redis is down. Here an ``add`` that could not reach Redis answers True (the lock is as good as
taken): the rate limits stop counting during the outage and the lockout, which lives in the database
(``accounts.LoginThrottle``), keeps guarding the accounts. Tested in tests/portal/test_outages.py.

``clear`` deletes the portal's own keys (its ``KEY_PREFIX``), never the whole Redis database: the Celery
broker's queues and results may live in the same one, and so do a parallel test run's other workers.
"""

from django_redis.cache import RedisCache


class ResilientRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added

    def clear(self):
        self.delete_pattern("*")
