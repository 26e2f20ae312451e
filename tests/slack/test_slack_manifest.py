"""slack/manifest.yml asks for what the bot uses, nothing more, and points Slack at its route."""

from __future__ import annotations

from pathlib import Path

import yaml

from service.slack.app import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_needs():
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    assert set(manifest["oauth_config"]["scopes"]) == {"bot"}
    # app_mention events, posting answers, the /ask command, direct-message events; no reading of channels.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == ["app_mentions:read", "chat:write", "commands",
                                                                 "im:history"]
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            manifest["features"]["slash_commands"][0]["url"]]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
