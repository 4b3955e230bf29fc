"""The change set (create, modify, move), span edits of text, the git patch and the journaled apply."""
