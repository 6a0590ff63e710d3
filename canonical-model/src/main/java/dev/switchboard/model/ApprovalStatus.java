package dev.switchboard.model;

/** Whether a model version is approved for deployment, as SageMaker and Vertex AI record it. */
public enum ApprovalStatus { PENDING, APPROVED, REJECTED }
