import type   { FrameSourceReportResolvers } from './../types.generated.js';
    export const FrameSourceReport: FrameSourceReportResolvers = {
    /* Implement FrameSourceReport resolver logic here */
  };