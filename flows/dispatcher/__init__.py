"""What an event means before a step sees it: commands, navigation, questions in passing."""
