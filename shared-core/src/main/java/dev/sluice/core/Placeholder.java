package dev.sluice.core; public final class Placeholder {}
