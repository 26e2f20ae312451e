"""The bot's listeners: plain functions, registered on the bolt App by app.build_slack_app.

Bolt acknowledges events itself before a listener starts; commands and button clicks call
ack() first. Either way Slack has its answer at once, and the question is answered after, in
one of the bot's listener threads. Whatever happens, the person who asked gets a reply: the
answer, "not found" in their language, what was wrong with the question, or an apology with a
reference that is also in the service log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from rag.errors import InvalidInput, RagError

from .blocks import (
    VERDICT_OF_ACTION,
    answer_blocks,
    apology,
    escape,
    fallback_text,
    how_to_ask,
    not_here,
    question_text,
    thanks,
)

log = logging.getLogger("service.slack")


class NotServed(Exception):
    """A question from a channel that RAG_SLACK_COLLECTIONS does not name: refused politely."""


def bot_of(context: BoltContext):
    """The Bot (app.Bot) that a middleware put in the context: engine, feedback, settings."""
    return context["rag"]


# --- questions ----------------------------------------------------------------------------------

def answer_mention(event: dict, context: BoltContext, client: WebClient) -> None:
    """`@rag question` in a channel: the answer goes in the thread of the question."""
    if event.get("channel", "").startswith("D"):  # a mention in a direct message: answered as the message
        return
    answer_in_thread(event, context, client, where="mention")


def answer_direct_message(event: dict, context: BoltContext, client: WebClient) -> None:
    """A question written to the bot in a direct message; answered in its thread too."""
    answer_in_thread(event, context, client, where="dm")


def in_direct_message(event: dict) -> bool:
    return event.get("channel_type") == "im" and not event.get("bot_id")


def ignore() -> None:
    """Other messages (edits, deletions, the bot's own): acknowledged, nothing more."""


def answer_in_thread(event: dict, context: BoltContext, client: WebClient, *, where: str) -> None:
    bot = bot_of(context)
    channel = event["channel"]
    root = event.get("thread_ts") or event["ts"]  # a thread is known by its first message
    team = context.team_id or event.get("team") or ""
    question = question_text(event.get("text", ""), context.bot_user_id)

    def post(**message) -> None:
        client.chat_postMessage(channel=channel, thread_ts=root, unfurl_links=False, unfurl_media=False, **message)

    def ask() -> dict:
        answer = bot.ask(question, channel=channel, direct=where == "dm", thread=f"slack:{team}:{channel}:{root}",
                         where=where)
        question_id = bot.feedback.record_answer(answer, team=team, channel=channel, user=event.get("user"))
        shown = answer.to_dict()
        return {"text": fallback_text(shown), "blocks": answer_blocks(shown, question_id)}

    deliver(bot, question, where, ask, post)


def answer_command(ack: Ack, command: dict, context: BoltContext, respond: Respond) -> None:
    """`/ask question`: answered to the asker alone, with a button to post it to the channel."""
    bot = bot_of(context)
    question = question_text(command.get("text", ""), context.bot_user_id)
    if not question:
        ack(text=how_to_ask("command", command.get("text", "")))
        return
    ack()

    def post(**message) -> None:
        respond(response_type="ephemeral", replace_original=False, **message)

    def ask() -> dict:
        channel = command.get("channel_id", "")
        answer = bot.ask(question, channel=channel, where="command",
                         direct=command.get("channel_name") == "directmessage" or channel.startswith("D"))
        question_id = bot.feedback.record_answer(answer, team=command.get("team_id"),
                                                 channel=command.get("channel_id"), user=command.get("user_id"))
        shown = answer.to_dict()
        return {"text": fallback_text(shown), "blocks": answer_blocks(shown, question_id, ephemeral=True)}

    deliver(bot, question, "command", ask, post)


def deliver(bot, question: str, where: str, ask: Callable[[], dict], post: Callable[..., None]) -> None:
    """Answers and posts; on any failure, posts why instead. Never leaves the asker without a reply."""
    if not question:
        message = {"text": how_to_ask(where)}
    else:
        try:
            message = ask()
        except InvalidInput as exc:  # e.g. a question over the length limit: the asker can fix it
            message = {"text": escape(exc.message[:1].upper() + exc.message[1:])}
        except NotServed:
            message = {"text": not_here(bot.language_of(question))}
        except Exception as exc:  # noqa: BLE001 — reported in the thread and in the log
            message = {"text": apology(bot.report(exc, question, where), bot.language_of(question))}
    try:
        post(**message)
    except Exception as exc:  # noqa: BLE001 — Slack refused the message; say so in a plainer one
        reference = bot.report(exc, question, where)
        try:
            post(text=apology(reference, bot.language_of(question)))
        except Exception:  # noqa: BLE001 — Slack is unreachable: the log is all that is left
            log.error("slack %s: could not post the apology for reference %s either", where, reference)


# --- buttons ------------------------------------------------------------------------------------

def record_feedback(ack: Ack, action: dict, body: dict, context: BoltContext, respond: Respond) -> None:
    """Helpful / not helpful: one verdict per person and answer, kept with the question's id."""
    ack()
    bot = bot_of(context)
    verdict = VERDICT_OF_ACTION[action["action_id"]]
    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("channel") or {}).get("id")
    try:
        given = bot.feedback.record(action["value"], verdict, user=user, channel=channel)
        language = bot.feedback.answer(given.question_id).answer.get("language", "en")
        text = thanks(verdict, language)
        log.info("slack feedback: %s on %s", verdict, given.question_id)
    except RagError as exc:
        text = escape(exc.message[:1].upper() + exc.message[1:])
    except Exception as exc:  # noqa: BLE001
        text = apology(bot.report(exc, None, "feedback"), "en")
    respond(response_type="ephemeral", replace_original=False, text=text)


def post_to_channel(ack: Ack, action: dict, body: dict, context: BoltContext, respond: Respond) -> None:
    """The slash command's answer, posted for everyone in the channel where it was asked."""
    ack()
    bot = bot_of(context)
    try:
        given = bot.feedback.answer(action["value"])
        shown = given.answer
        blocks = answer_blocks(shown, given.question_id, asked_by=(body.get("user") or {}).get("id"))
        respond(response_type="in_channel", replace_original=False, text=fallback_text(shown), blocks=blocks)
        respond(delete_original=True)  # the private copy, now that everyone sees the answer
    except RagError as exc:
        respond(response_type="ephemeral", replace_original=False,
                text=escape(exc.message[:1].upper() + exc.message[1:]))
    except Exception as exc:  # noqa: BLE001
        respond(response_type="ephemeral", replace_original=False,
                text=apology(bot.report(exc, None, "post to channel"), "en"))


# --- requests as a whole ------------------------------------------------------------------------

def attach_bot(bot) -> Callable:
    """A global middleware that hands the listeners what they need, through the context."""
    def attach(context: BoltContext, next: Callable[[], None]) -> None:
        context["rag"] = bot
        next()

    return attach


def drop_repeats(body: dict, context: BoltContext, request: BoltRequest, next: Callable[[], None]):
    """An event already received (Slack retries when an answer to it was slow, or lost) is
    acknowledged and otherwise ignored; a retry of one this process never saw is answered."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not bot_of(context).seen.first(event_id):
        retry = request.headers.get("x-slack-retry-num", ["?"])[0]
        log.info("slack: event %s delivered again (retry %s); already handled", event_id, retry)
        return BoltResponse(status=200, body="")
    next()
