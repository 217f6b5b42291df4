"""Prints, as JSON, what ssl.create_default_context() trusts and the CA variables."""

import json
import os
import ssl

context = ssl.create_default_context()
print(json.dumps({
    "SSL_CERT_FILE": os.environ.get("SSL_CERT_FILE"),
    "SSL_CERT_DIR": os.environ.get("SSL_CERT_DIR"),
    "x509_ca": context.cert_store_stats()["x509_ca"],
    "subjects": sorted(dict(part[0] for part in cert["subject"]).get("commonName", "")
                       for cert in context.get_ca_certs()),
}))
