#!/usr/bin/env node
// Drives the independent `iso_8583` npm package (github.com/zemuldo/iso_8583, version pinned in package.json)
// for tests/PaymentSwitch.Integration.Tests/InteropTests.cs. Every ISO 8583 byte is written and read by the
// package; this script only moves JSON and hex between the package and the test.
//
//   node tests/interop/roundtrip.js build  < fields.json   prints the hex of the framed message the package
//                                                          built (getBufferMessage), e.g. {"2":"4761...","3":"000000"}
//                                                          Field "0" (the MTI) defaults to "0100".
//   node tests/interop/roundtrip.js parse  < frame.hex     prints the JSON the package's parser (getIsoJSON)
//                                                          reads from a framed message (2-byte header included)
//
// Exit codes: 0 done; 1 the package refused the input (reason on stderr); 2 usage; 3 the package is missing or
// is not the pinned version (run `bash tests/setup.sh`). Field values are never echoed to stderr: they may
// hold a card number.
//
// How the package's wire format lines up with the switch's `iso87-ascii` dialect and `len2` framing
// (read from node_modules/iso_8583/lib, version 2.6.7):
//   * Length header: getBufferMessage() prefixes two bytes, floor(n / 256) and n % 256, where n is the body
//     length without the header: a 2-byte big-endian binary length, exactly `len2`. getIsoJSON() skips the first
//     two bytes without looking at them, so `parse` checks them with the package's own helper
//     (lib/helpers.js getPostillionLength) before parsing.
//   * MTI: four ASCII digits in both.
//   * Bitmap: with the default format of field 1 (ContentType 'b') the package writes raw binary bitmap bytes,
//     as the switch does ('an' would give hex text). The one difference: the package ALWAYS writes 16 bitmap
//     bytes with bit 1 set, i.e. a secondary bitmap that is all zeros when no field 65-128 is present
//     (lib/bitmap/assembleBitMap.js sets bit 1 unconditionally; no option turns it off). The switch writes a
//     secondary bitmap only when a field 65-128 is present. Both are valid ISO 8583: the switch honours bit 1
//     when parsing, and the package's parser reads bit 1 (hasSecondaryBitmap) to decide between 8 and 16 bitmap
//     bytes, so nothing needs configuring; the test asserts the empty secondary bitmap is really on the wire.
//   * Fields used by the tests (2, 3, 4, 7, 11, 12, 13, 32, 37, 38, 39, 41, 42, 49): the package's default
//     formats have the same length kind (fixed / LL / LLL with ASCII digits) and maximum as iso87-ascii, with
//     ASCII content. The content classes differ slightly (DE49 'n' here, 'an' in the switch; DE37/DE38 'anp'
//     here, 'an' in the switch), which changes nothing on the wire for the values exchanged. No custom formats
//     are passed.
//   * Binary fields ('b', e.g. DE52, DE64) would differ: the package counts MaxLen in hex characters and takes
//     hex text in its JSON. The tests send none, and the switch echoes none.
'use strict';

const fs = require('fs');
const path = require('path');

const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;
const EXIT_PACKAGE = 3;

function fail(code, message) {
  process.stderr.write('roundtrip.js: ' + message + '\n');
  process.exit(code);
}

function loadPackage() {
  const pinned = require(path.join(__dirname, 'package.json')).dependencies.iso_8583;
  let installed;
  let Iso8583;
  let helpers;
  try {
    installed = require('iso_8583/package.json').version;
    Iso8583 = require('iso_8583');
    helpers = require('iso_8583/lib/helpers');
  } catch (e) {
    fail(EXIT_PACKAGE, 'the iso_8583 package is not installed in ' + path.join(__dirname, 'node_modules') +
      ' (' + e.code + '); run `bash tests/setup.sh` (npm ci in tests/interop)');
  }
  if (installed !== pinned)
    fail(EXIT_PACKAGE, 'iso_8583 ' + installed + ' is installed but package.json pins ' + pinned +
      '; run `npm ci` in tests/interop');
  return { Iso8583, helpers };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

function build({ Iso8583 }) {
  let fields;
  try {
    fields = JSON.parse(readStdin());
  } catch (e) {
    fail(EXIT_USAGE, 'build expects a JSON object of fields on stdin: ' + e.message);
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields))
    fail(EXIT_USAGE, 'build expects a JSON object of fields on stdin');
  for (const key of Object.keys(fields)) {
    if (!/^[0-9]{1,3}$/.test(key)) fail(EXIT_USAGE, 'field key "' + key + '" is not a field number');
    if (typeof fields[key] !== 'string') fail(EXIT_USAGE, 'field ' + key + ' must be a string');
  }
  const message = Object.assign({ 0: '0100' }, fields);

  const iso = new Iso8583(message);
  // getBufferMessage() alone does not stop on every invalid field (it can return the bitmap array instead of an
  // error object), so the package's validator runs first and only an explicit `true` goes on.
  const valid = iso.validateMessage();
  if (valid !== true)
    fail(EXIT_REFUSED, 'the package rejects the message: ' + (valid && valid.error ? valid.error : 'validateMessage() returned ' + valid +
      ' (its MTI check, field formats or default required-field schema, lib/mock/required-fields.json, failed)'));
  const frame = iso.getBufferMessage();
  if (!Buffer.isBuffer(frame))
    fail(EXIT_REFUSED, 'the package could not build the message: ' + (frame && frame.error ? frame.error : typeof frame));
  process.stdout.write(frame.toString('hex') + '\n');
}

function parse({ Iso8583, helpers }) {
  const hex = readStdin().trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) fail(EXIT_USAGE, 'parse expects a frame as hex digits on stdin');
  const frame = Buffer.from(hex, 'hex');
  if (frame.length < 2) fail(EXIT_REFUSED, 'the frame is shorter than its 2-byte length header');
  const declared = helpers.getPostillionLength(frame);
  if (declared !== frame.length - 2)
    fail(EXIT_REFUSED, 'the 2-byte length header says ' + declared + ' bytes but ' + (frame.length - 2) + ' follow');

  // lenHeader: the frame starts with the 2-byte header; bitmapEncoding 'hex': the bitmap is raw bytes (the
  // package turns them into hex text to read the bits), as opposed to 'utf8' for bitmaps sent as hex text.
  const json = new Iso8583().getIsoJSON(frame, { lenHeader: true, bitmapEncoding: 'hex' });
  if (!json || json.error) fail(EXIT_REFUSED, 'the package cannot parse the frame: ' + (json ? json.error : 'no result'));
  process.stdout.write(JSON.stringify(json) + '\n');
}

const commands = { build, parse };
const command = process.argv[2];
if (process.argv.length !== 3 || !Object.prototype.hasOwnProperty.call(commands, command))
  fail(EXIT_USAGE, 'usage: node roundtrip.js build|parse   (fields JSON or frame hex on stdin)');
commands[command](loadPackage());
