/** Protected Resource Metadata (RFC 9728) for one resource of this server. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  scopes_supported: string[]
  bearer_methods_supported: ['header']
  resource_name: string
}

export function protectedResourceMetadata(
  resource: string,
  authorizationServer: string,
  scopes: readonly string[],
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [authorizationServer],
    scopes_supported: [...scopes],
    bearer_methods_supported: ['header'],
    resource_name: 'digital-fte',
  }
}

/** Where a resource's metadata is served: `/.well-known/oauth-protected-resource` + its path. */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource)
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}/.well-known/oauth-protected-resource${path}`
}
