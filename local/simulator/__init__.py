"""Channel simulator: plays every provider the product supports on this machine, in the
providers' own wire formats, so that the whole system can be used and tested with no provider
account.

Towards our webhooks it posts what each provider posts, signed as the provider signs it
(``meta`` for WhatsApp, Messenger and Instagram; ``telegram``; ``twilio`` for SMS; ``viber``;
``ses`` for email, as an SES receipt rule and SNS do). Towards our adapters it serves each
provider's send API on the provider's own paths, under a prefix per provider host
(``/graph/v21.0/<id>/messages``, ``/telegram/bot<token>/sendMessage``,
``/twilio/2010-04-01/Accounts/<sid>/Messages.json``, ``/viber/pa/send_message``), records what it
got and reports the provider's delivery statuses back. A control API and a chat page
(``server``) act as customers, read what agents sent and plan send failures.
"""

from .core import ChannelSimulator, UnknownAccount
from .model import CustomerMessage, SimulatedAccount, StoredMail
from .server import serve
from .ses import moto_sent_mail

__all__ = ["ChannelSimulator", "CustomerMessage", "SimulatedAccount", "StoredMail", "UnknownAccount", "moto_sent_mail",
           "serve"]
