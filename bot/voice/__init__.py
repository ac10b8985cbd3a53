"""Text-to-speech for bot texts: every text a person reads can also come as a voice note.

``Voice`` is the one entry point for the shell; ``speakable`` shows what a text sounds like.
Google's voice (gTTS) is the default, espeak-ng the offline fallback; both end up as
OGG/Opus voice notes, cached on disk, with Telegram's file_id remembered per clip.
"""

from bot.voice.speakable import speakable
from bot.voice.voice import Voice, VoiceClip, VoiceEngine, cache_key

__all__ = ["Voice", "VoiceClip", "VoiceEngine", "cache_key", "speakable"]
