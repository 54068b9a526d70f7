/* Debian's libqrencode-dev (4.1): QR code symbols from text. */
#include <qrencode.h>
