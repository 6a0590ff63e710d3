package dev.switchboard.model;

/** A model version's lifecycle stage, as MLflow 2.x defines it. Tools without stages leave it {@code null}. */
public enum Stage { NONE, STAGING, PRODUCTION, ARCHIVED }
