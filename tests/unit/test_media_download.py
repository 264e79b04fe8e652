"""Inbound media download: only the provider's hosts, only public addresses (or the account's
loopback simulator), no redirects elsewhere, a size cap and a content-type allow-list."""

from email.message import EmailMessage

import boto3
import pytest
from chalicelib.adapters.media import InboundMedia, MediaRefused, MediaStore, download
from chalicelib.channels.base import MediaSource
from chalicelib.channels.meta.messenger import MessengerAdapter
from chalicelib.domain.models import Attachment, Channel, ChannelAccount, MediaRef
from moto import mock_aws

from tests.loopback import Answer, loopback_server

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


@pytest.fixture
def cdn():
    with loopback_server() as server:
        yield server


def source(url: str, *hosts: str, headers: dict[str, str] | None = None) -> MediaSource:
    return MediaSource(url=url, headers=headers or {}, allowed_hosts=frozenset(hosts))


def test_media_from_the_trusted_simulator_host_is_downloaded_with_its_headers(cdn):
    # Given
    cdn.answer("GET", "/media/1", Answer(200, JPEG, {"Content-Type": "image/jpeg"}))
    # When
    media = download(source(f"{cdn.base_url}/media/1?sig=x", cdn.netloc, headers={"Authorization": "Bearer t"}),
                     trusted_loopback=cdn.netloc)
    # Then
    assert (media.data, media.content_type) == (JPEG, "image/jpeg")
    assert cdn.requests[0].headers["authorization"] == "Bearer t"
    assert cdn.requests[0].path == "/media/1?sig=x"


def test_loopback_is_refused_unless_it_is_the_accounts_simulator(cdn):
    cdn.answer("GET", "/media/1", Answer(200, JPEG, {"Content-Type": "image/jpeg"}))
    with pytest.raises(MediaRefused):
        download(source(f"{cdn.base_url}/media/1", cdn.netloc))
    with pytest.raises(MediaRefused):
        download(source(f"{cdn.base_url}/media/1", cdn.netloc), trusted_loopback="127.0.0.1:1")
    assert cdn.requests == []


def test_a_host_outside_the_providers_list_is_refused_before_any_lookup():
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["157.240.1.1"]

    with pytest.raises(MediaRefused) as raised:
        download(source("https://evil.example/x.jpg", ".fbcdn.net"), resolve=resolve)
    assert "not one of the provider's media hosts" in raised.value.reason
    assert looked_up == []
    # A look-alike that merely ends with the same letters is no subdomain
    with pytest.raises(MediaRefused):
        download(source("https://evilfbcdn.net/x.jpg", ".fbcdn.net"), resolve=resolve)


@pytest.mark.parametrize("address", ["10.0.0.5", "169.254.169.254", "127.0.0.1", "192.168.1.1", "::1", "fd00::1"])
def test_a_provider_host_resolving_to_a_private_address_is_refused(address):
    with pytest.raises(MediaRefused) as raised:
        download(source("https://scontent.xx.fbcdn.net/x.jpg", ".fbcdn.net"),
                 resolve=lambda host, port: [address])
    assert "non-public" in raised.value.reason


def test_plain_http_is_refused_for_provider_hosts():
    with pytest.raises(MediaRefused):
        download(source("http://scontent.xx.fbcdn.net/x.jpg", ".fbcdn.net"),
                 resolve=lambda host, port: ["157.240.1.1"])


def test_a_redirect_to_another_host_is_refused(cdn):
    # Given a media URL that redirects to a different host:port (also loopback, but not the trusted one)
    cdn.answer("GET", "/media/1", Answer(302, b"", {"Location": "http://localhost:1/steal"}))
    with pytest.raises(MediaRefused) as raised:
        download(source(f"{cdn.base_url}/media/1", cdn.netloc, "localhost:1"), trusted_loopback=cdn.netloc)
    assert "another host" in raised.value.reason
    assert len(cdn.requests) == 1


def test_a_redirect_on_the_same_host_is_followed(cdn):
    cdn.answer("GET", "/media/1", Answer(302, b"", {"Location": "/media/2"}))
    cdn.answer("GET", "/media/2", Answer(200, JPEG, {"Content-Type": "image/jpeg"}))
    media = download(source(f"{cdn.base_url}/media/1", cdn.netloc), trusted_loopback=cdn.netloc)
    assert media.data == JPEG


# --- redirects to the provider's media host (Twilio: api.twilio.com -> its CDN) -------------------


def twilio_like(api_url: str, api_netloc: str, *redirect_hosts: str) -> MediaSource:
    return MediaSource(url=f"{api_url}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                       headers={"Authorization": "Basic QUMxOnRva2Vu"}, allowed_hosts=frozenset({api_netloc}),
                       redirect_hosts=frozenset(redirect_hosts))


def test_a_redirect_to_the_providers_media_host_is_followed_without_the_credentials(cdn):
    # Given the provider's API (one loopback server) redirecting to its media host (another)
    with loopback_server() as api:
        api.answer("GET", "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                   Answer(307, b"", {"Location": f"{cdn.base_url}/files/ME1?Expires=1&Signature=s"}))
        cdn.answer("GET", "/files/ME1", Answer(200, JPEG, {"Content-Type": "image/jpeg"}))
        # When the media is downloaded (both are the local simulator's hosts here)
        media = download(twilio_like(api.base_url, api.netloc, cdn.netloc),
                         trusted_loopback=frozenset({api.netloc, cdn.netloc}))
        # Then the file comes from the media host; the API got the Basic auth, the media host did not
        assert media.data == JPEG
        assert api.requests[0].headers["authorization"] == "Basic QUMxOnRva2Vu"
        assert cdn.requests[0].path == "/files/ME1?Expires=1&Signature=s"
        assert "authorization" not in cdn.requests[0].headers


def test_a_media_host_may_not_be_where_a_download_starts(cdn):
    # A URL in the payload that names the redirect target directly is refused before any request
    with pytest.raises(MediaRefused) as raised:
        download(MediaSource(url=f"{cdn.base_url}/files/ME1", headers={}, allowed_hosts=frozenset({"api.test"}),
                             redirect_hosts=frozenset({cdn.netloc})), trusted_loopback=cdn.netloc)
    assert "not one of the provider's media hosts" in raised.value.reason
    assert cdn.requests == []


def test_a_redirect_to_a_host_off_the_providers_list_is_refused(cdn):
    with loopback_server() as api:
        api.answer("GET", "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                   Answer(307, b"", {"Location": f"{cdn.base_url}/files/ME1"}))
        # The other loopback host is trusted (so only the list decides) but not a redirect target
        with pytest.raises(MediaRefused) as raised:
            download(twilio_like(api.base_url, api.netloc, "mms.twiliocdn.com"),
                     trusted_loopback=frozenset({api.netloc, cdn.netloc}))
    assert "another host" in raised.value.reason
    assert cdn.requests == []


@pytest.mark.parametrize("address", ["10.0.0.7", "127.0.0.1", "169.254.169.254", "::1"])
def test_a_redirect_to_a_listed_media_host_that_resolves_privately_is_refused(cdn, address):
    # Given the API redirecting to the listed media host, which resolves to a private or loopback address
    with loopback_server() as api:
        api.answer("GET", "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                   Answer(307, b"", {"Location": "https://mms.twiliocdn.com/AC1/ME1?Signature=s"}))
        looked_up: list[str] = []

        def resolve(host: str, port: int) -> list[str]:
            looked_up.append(host)
            return ["127.0.0.1"] if host == "127.0.0.1" else [address]

        # When downloading, Then the media host's address is refused before any connection to it
        with pytest.raises(MediaRefused) as raised:
            download(twilio_like(api.base_url, api.netloc, "mms.twiliocdn.com"), trusted_loopback=api.netloc,
                     resolve=resolve)
    assert "non-public" in raised.value.reason
    assert looked_up == ["127.0.0.1", "mms.twiliocdn.com"]


def test_a_redirect_to_plain_http_on_a_listed_media_host_is_refused(cdn):
    with loopback_server() as api:
        api.answer("GET", "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                   Answer(307, b"", {"Location": "http://mms.twiliocdn.com/AC1/ME1"}))
        with pytest.raises(MediaRefused) as raised:
            download(twilio_like(api.base_url, api.netloc, "mms.twiliocdn.com"), trusted_loopback=api.netloc,
                     resolve=lambda host, port: [host if host == "127.0.0.1" else "54.0.0.1"])
    assert "not https" in raised.value.reason


def test_media_over_the_size_limit_is_refused(cdn):
    cdn.answer("GET", "/big", Answer(200, b"x" * 2048, {"Content-Type": "application/pdf"}))
    with pytest.raises(MediaRefused) as raised:
        download(source(f"{cdn.base_url}/big", cdn.netloc), trusted_loopback=cdn.netloc, max_bytes=1024)
    assert "limit" in raised.value.reason
    # At the limit it passes
    assert len(download(source(f"{cdn.base_url}/big", cdn.netloc), trusted_loopback=cdn.netloc,
                        max_bytes=2048).data) == 2048


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/x-msdownload",
                                          "application/javascript", ""])
def test_content_types_off_the_allow_list_are_refused(cdn, content_type):
    cdn.answer("GET", "/m", Answer(200, b"<svg onload=alert(1)>", {"Content-Type": content_type}))
    with pytest.raises(MediaRefused) as raised:
        download(source(f"{cdn.base_url}/m", cdn.netloc), trusted_loopback=cdn.netloc)
    assert "content type" in raised.value.reason


@pytest.mark.parametrize("content_type", ["video/mp4", "audio/ogg; codecs=opus", "text/vcard",
                                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document"])
def test_media_types_on_the_allow_list_pass(cdn, content_type):
    cdn.answer("GET", "/m", Answer(200, b"data", {"Content-Type": content_type}))
    assert download(source(f"{cdn.base_url}/m", cdn.netloc), trusted_loopback=cdn.netloc).data == b"data"


def test_a_generic_content_type_falls_back_to_what_the_provider_declared(cdn):
    cdn.answer("GET", "/m", Answer(200, JPEG, {"Content-Type": "application/octet-stream"}))
    media = download(source(f"{cdn.base_url}/m", cdn.netloc), trusted_loopback=cdn.netloc,
                     declared_type="image/jpeg")
    assert media.content_type == "image/jpeg"


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (403, True), (500, False), (429, False)])
def test_provider_errors_say_whether_a_retry_could_help(cdn, status, permanent):
    cdn.answer("GET", "/m", Answer(status, b"no"))
    with pytest.raises(MediaRefused) as raised:
        download(source(f"{cdn.base_url}/m", cdn.netloc), trusted_loopback=cdn.netloc)
    assert raised.value.permanent is permanent


def test_an_attachment_is_taken_out_of_a_mime_message(cdn):
    # Given a raw mail with a PDF and an HTML attachment
    mail = EmailMessage()
    mail["From"] = "ana@example.nl"
    mail.set_content("see attached")
    mail.add_attachment(b"%PDF-1.7 test", maintype="application", subtype="pdf", filename="order.pdf")
    mail.add_attachment("<script>x</script>", subtype="html", filename="page.html")
    cdn.answer("GET", "/mail", Answer(200, mail.as_bytes(), {"Content-Type": "application/octet-stream"}))
    mail_source = MediaSource(url=f"{cdn.base_url}/mail", headers={}, allowed_hosts=frozenset({cdn.netloc}),
                              mime_attachment=0)
    # When / Then
    media = download(mail_source, trusted_loopback=cdn.netloc)
    assert (media.data, media.content_type, media.filename) == (b"%PDF-1.7 test", "application/pdf", "order.pdf")
    with pytest.raises(MediaRefused):
        download(MediaSource(url=mail_source.url, headers={}, allowed_hosts=mail_source.allowed_hosts,
                             mime_attachment=1), trusted_loopback=cdn.netloc)


def test_inbound_media_lands_in_the_bucket_with_a_signed_url(cdn):
    # Given a Messenger account whose API host is the loopback server, serving one photo
    cdn.answer("GET", "/photo.jpg", Answer(200, JPEG, {"Content-Type": "image/jpeg"}))
    account = ChannelAccount(id="fb-1", channel=Channel.MESSENGER, name="Page", provider_account_id="1",
                             api_base_url=cdn.base_url, team_id="default", enabled=True)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="media")
        store = MediaStore("media", client=lambda: s3)
        copier = InboundMedia(store, lambda account: {}, lambda channel: MessengerAdapter())
        # When
        first, refused = copier.copy(account, "0001763900000000-abc", [
            MediaRef(url=f"{cdn.base_url}/photo.jpg"), MediaRef(url="https://evil.example/x.jpg")])
        # Then the photo is stored under the message's key and the foreign host is refused
        assert first == Attachment(key="inbound/fb-1/0001763900000000-abc/0", content_type="image/jpeg", size=len(JPEG))
        assert isinstance(refused, MediaRefused)
        stored = s3.get_object(Bucket="media", Key=first.key)
        assert stored["Body"].read() == JPEG
        assert stored["ContentType"] == "image/jpeg"
        url = store.signed_url(first)
        assert "X-Amz-Expires=300" in url or "Expires=" in url
