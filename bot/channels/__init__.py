"""Channels turn chat-platform events into Inbounds and render Replies for their platform."""
