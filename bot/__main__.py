from bot.runtime.cli import main

# Guarded: a spawned child process (bot/conversation/writer_process.py) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
