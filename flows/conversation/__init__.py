"""Conversation machinery: events and replies, state, forms, nodes, the step table."""
