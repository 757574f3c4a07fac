"""Request bodies schemathesis cannot make from the OpenAPI document alone.

POST /api/v1/feedback/mail takes a raw e-mail message (message/rfc822): the fuzzer sends both
arbitrary bytes and messages with generated subjects and text, which the server must turn into
feedback or refuse with a problem, never a 5xx.
"""

import schemathesis
from hypothesis import strategies as st


def _message(number, subject, text):
    return (
        "From: Fuzz <fuzz@example.org>\r\n"
        "To: feedback@example.org\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <fuzz-{number}@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{text}\r\n"
    ).encode("utf-8")


schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.binary(max_size=4096),
        st.builds(
            _message,
            st.integers(min_value=0),
            st.text(max_size=120),
            st.text(max_size=2000),
        ),
    ),
)
