"""The Slack bot (slack-bolt): questions by mention, direct message or /ask, answered in threads."""

from .app import SlackBot, build_slack_app, configuration_problem, install

__all__ = ["SlackBot", "build_slack_app", "configuration_problem", "install"]
