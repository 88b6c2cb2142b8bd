// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Roles() {
  return <PageTitle>Roles</PageTitle>;
}
