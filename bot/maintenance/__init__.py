"""Day-two care of a running bot, free of Discord: heartbeat and health, backups and restore,
retention and erasure, shutdown on a signal. The CLI and the bot both call these."""
