/**
 * A `User` entity as this subgraph knows it: only its key. The subgraph that
 * owns users resolves the rest; this one adds `User.events`.
 */
export interface UserReferenceModel {
  id: string;
}
