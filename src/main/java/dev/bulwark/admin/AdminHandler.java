package dev.bulwark.admin;

/** Answers one admin call; it must reply exactly once, now or later (from any thread). */
@FunctionalInterface
public interface AdminHandler {
  /** Handles a call whose route, credential and body the router has already checked. */
  void handle(AdminCall call);
}
