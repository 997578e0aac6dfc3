/* This file was automatically generated. DO NOT UPDATE MANUALLY. */
    import type   { Resolvers } from './types.generated.js';
    import    { faceDatabase as Query_faceDatabase } from './resolvers/Query/faceDatabase.js';
import    { health as Query_health } from './resolvers/Query/health.js';
import    { identifyImage as Mutation_identifyImage } from './resolvers/Mutation/identifyImage.js';
import    { Box } from './resolvers/Box.js';
import    { Candidate } from './resolvers/Candidate.js';
import    { EmbeddingModel } from './resolvers/EmbeddingModel.js';
import    { FaceDatabase } from './resolvers/FaceDatabase.js';
import    { Health } from './resolvers/Health.js';
import    { IdentifiedFace } from './resolvers/IdentifiedFace.js';
import    { IdentifyTimings } from './resolvers/IdentifyTimings.js';
import    { ImageIdentification } from './resolvers/ImageIdentification.js';
import    { StashId } from './resolvers/StashId.js';
import    { StashStatus } from './resolvers/StashStatus.js';
import    { File } from './resolvers/File.js';
    export const resolvers: Resolvers = {
      Query: { faceDatabase: Query_faceDatabase,health: Query_health },
      Mutation: { identifyImage: Mutation_identifyImage },
      
      Box: Box,
Candidate: Candidate,
EmbeddingModel: EmbeddingModel,
FaceDatabase: FaceDatabase,
Health: Health,
IdentifiedFace: IdentifiedFace,
IdentifyTimings: IdentifyTimings,
ImageIdentification: ImageIdentification,
StashId: StashId,
StashStatus: StashStatus,
File: File
    }