/**
 * Listeners (the admin listener serves {@code dev.bulwark.admin}'s router), TLS, redirect,
 * connection guards and configuration reload.
 */
@NullMarked
package dev.bulwark.server;

import org.jspecify.annotations.NullMarked;
