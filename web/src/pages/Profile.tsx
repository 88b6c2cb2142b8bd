// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Profile() {
  return <PageTitle>Profile</PageTitle>;
}
