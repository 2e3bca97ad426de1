"""Conversation analytics: reads the tracker store as a stream; reports, exports, retention."""
