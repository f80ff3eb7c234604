/**
 * Outgoing mail and the one-time tokens it carries: SMTP over TLS (STARTTLS required, or implicit
 * TLS; certificates verified) from a bounded queue that never holds up a request, the texts of the
 * password-reset, verification and invitation mails, and {@link
 * dev.bulwark.identity.mail.AccountMail}, which issues a token (stored hashed, bound to the
 * account's password and address) and mails its link. Policy-free services: the reset endpoint and
 * the accounts admin API call them.
 */
@NullMarked
package dev.bulwark.identity.mail;

import org.jspecify.annotations.NullMarked;
