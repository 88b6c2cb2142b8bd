import { describe, expect, it } from 'vitest';
import { match } from './router';

describe('match', () => {
  it('fills parameters', () => {
    expect(match('/profiles/:id', '/profiles/7')).toEqual({ id: '7' });
    expect(match('/bulk/:id', '/bulk/12/')).toEqual({ id: '12' });
  });
  it('decodes parameters', () => {
    expect(match('/roles/:name', '/roles/team%20lead')).toEqual({ name: 'team lead' });
  });
  it('refuses other shapes', () => {
    expect(match('/profiles/:id', '/profiles')).toBeNull();
    expect(match('/profiles/:id', '/profiles/7/x')).toBeNull();
    expect(match('/queue', '/audit')).toBeNull();
  });
});
