/**
 * Stateful fakes of vendor APIs on WireMock, one sub-package per vendor, and the {@link
 * dev.switchboard.conformance.fakes.Faults} they share. A fake keeps what is created through it, pages and
 * fails exactly as the vendor does (no kinder), and sends the vendor's webhooks signed as the vendor signs them.
 */
package dev.switchboard.conformance.fakes;
