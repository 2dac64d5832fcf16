"""Application services: every change a platform's commands make (opting in and out, hiding a
message, the moderation log, status), each in one transaction of the store."""
