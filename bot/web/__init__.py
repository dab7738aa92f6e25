"""The klantmanager's web inbox: a Starlette app over the same services as the chat.

`bot.web.app.create_app` builds it; `bot.web.server` runs it with uvicorn inside the bot's event
loop. Pages are rendered by `messages.web` (templates under messages/templates/web/, their
words in messages/templates/web/words.j2, translated by the catalogs in messages/locale/).
"""
