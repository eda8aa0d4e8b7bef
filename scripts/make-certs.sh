#!/usr/bin/env bash
# A throwaway certificate authority and certificates for TLS tests and local use (`make certs`).
#
#   scripts/make-certs.sh [DIR]      (default: ./certs)
#
# Writes, with openssl, EC P-256 keys (quick to make) and certificates valid for 30 days:
#   ca.pem, ca.key                      the CA: clients trust ca.pem (Kafka: ssl.truststore.certificates / .location)
#   broker.pem, broker.key              the broker, for localhost and 127.0.0.1, signed by the CA
#   broker-keystore.pem                 broker key + certificate chain in one file (ssl.keystore.type=PEM, .location)
#   broker-key-encrypted.pem            the broker key encrypted with the password below (ssl.key.password)
#   broker.p12                          broker key + chain as PKCS12, password below (ssl.keystore.type=PKCS12)
#   alice.pem, alice.key, bob.pem, bob.key, mallory.pem, mallory.key
#                                       client certificates for mTLS: CN=alice,OU=Engineering,O=Tafka and
#                                       CN=bob,OU=Ops,O=Tafka signed by the CA; mallory is self-signed
# Nothing here is secret: never use these files for anything but tests and a local broker.
set -euo pipefail
DIR=${1:-certs}
PASSWORD=tafka-test
mkdir -p "$DIR"
cd "$DIR"
DAYS=30
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days $DAYS -subj '/O=Tafka/CN=Tafka Test CA' -out ca.pem \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'

# sign NAME SUBJECT EXTENSIONS: NAME.key and NAME.pem, signed by the CA.
sign() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days $DAYS -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

sign broker '/O=Tafka/CN=localhost' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment'
sign alice '/O=Tafka/OU=Engineering/CN=alice' 'extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature'
sign bob '/O=Tafka/OU=Ops/CN=bob' 'extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature'
key mallory.key
openssl req -x509 -new -key mallory.key -sha256 -days $DAYS -subj '/O=Evil/CN=mallory' -out mallory.pem

cat broker.key broker.pem ca.pem > broker-keystore.pem
openssl pkey -in broker.key -aes256 -passout "pass:$PASSWORD" -out broker-key-encrypted.pem
openssl pkcs12 -export -inkey broker.key -in broker.pem -certfile ca.pem -name broker -passout "pass:$PASSWORD" -out broker.p12
rm -f ca.srl
echo "certificates in $(pwd) (PKCS12 and encrypted key password: $PASSWORD)"
