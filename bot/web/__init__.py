"""The klantmanager's web inbox: a Starlette app over the same services as the chat.

`bot.web.app.create_app` builds it; `bot.web.server` runs it with uvicorn inside the bot's event
loop. Pages are rendered by `messages.web` (templates under messages/templates/_shared/web/ with
the words of each language in messages/templates/<locale>/web/words.j2).
"""
